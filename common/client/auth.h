// auth.h - the credentials of a TCP handshake (protocol.md 2.2): the client shows a MUNGE credential of
// its uid bound to the daemon, the job and a nonce; the daemon answers with one of its own carrying the
// nonce back. Over the Unix socket the socket itself authenticates both sides (SO_PEERCRED).
//
// Failure: returns an error naming MUNGE's reason (munged not running, no socket); the caller then
// connects without a credential and adds the reason if the daemon refuses it.
// Thread-safety: safe from any thread (libmunge keeps no shared state for encoding).
#pragma once

#include <compss/result.hpp>
#include <string>

namespace compss::client {

// A credential whose payload is `payload` (proto::hello_payload: the daemon, the job, a nonce).
Result<std::string> munge_credential(const std::string& payload);

// The daemon's answer to that nonce (welcome.auth): ok when MUNGE vouches for it, it is of this process's
// uid and carries `nonce` back; else an error saying what is wrong.
Status check_daemon_credential(const std::string& cred, const std::string& nonce);

}  // namespace compss::client
