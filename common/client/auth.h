// auth.h - the credential a client shows the daemon over TCP (protocol.md 2.2): a MUNGE credential of
// this process's uid. Over the Unix socket the socket itself authenticates and none is sent.
//
// Failure: returns an error naming MUNGE's reason (munged not running, no socket); the caller then
// connects without a credential and adds the reason if the daemon refuses it.
// Thread-safety: safe from any thread (libmunge keeps no shared state for encoding).
#pragma once

#include <compss/result.hpp>
#include <string>

namespace compss::client {

Result<std::string> munge_credential();

}  // namespace compss::client
