// job_dir.h - the job directory and the peer checks compssd trusts nothing else for.
//
// prepare_job_dir(dir): the job directory is compssd's private space (its log, the env file, task output,
// the summary). It is created 0700; one that exists already is used only when it is a real directory (not
// a symlink) owned by this user and writable by no one else, and its parent is not writable by others
// unless sticky (as /tmp): anyone else could otherwise pre-create it, or swap it, and read what the job
// writes or plant links the job would write through. Its subdirectories agents/ and out/ get the same test.
// write_private(path, text, mode): writes a file of the job directory whole or not at all (to <path>.tmp,
// renamed over <path>: a full disk leaves the earlier file or none, never a cut one), never through a
// symlink; the error names the path and the system's reason ("No space left on device").
//
// TCP peers (check_credential_kind): a client shows a MUNGE credential of the job's owner, an agent one
// too or, where munged does not run, the job's secret; the secret is for agents only, so a client that
// learnt it (it is in the agents' environment) cannot pass for the owner. same_secret compares in
// constant time.
// Failure: an Error naming the path and what is wrong with it. Thread-safety: plain functions.
#pragma once

#include <string>
#include <string_view>

#include "common/proto/words.h"
#include "common/util/result.h"

namespace compss::daemon {

Status prepare_job_dir(const std::string& dir);
// One directory, created 0700 if missing, checked as above (not a link, ours, writable by no one else).
Status make_private_dir(const std::string& path);
Status write_private(const std::string& path, const std::string& text, unsigned mode);

// "" when `auth` is the kind of credential `role` must show over TCP, else the refusal.
std::string check_credential_kind(proto::Role role, const std::string& auth);
bool same_secret(std::string_view a, std::string_view b);

}  // namespace compss::daemon
