// option_parser.h - what every compss subcommand's option parsing shares: --json and --help, strict
// matching (no abbreviations), "--" ending the options, Boost's exceptions turned into usage errors.
//
//   po::options_description d("Options");
//   CommonFlags flags;
//   d.add_options()("group", opt(&group), "...");
//   add_common_options(d, flags);
//   std::vector<std::string> ids;
//   auto s = parse_options(args, d, &ids);   // words that are not options land in `ids`
//
// Failure: a usage error whose message is Boost's ("unrecognised option '--cpu'").
// Thread-safety: parse_options writes only through the pointers it was given.
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/util/result.h"

namespace compss::cli {

struct CommonFlags {
  bool json = false;
  bool help = false;
};

void add_common_options(boost::program_options::options_description& d, CommonFlags& flags);

// A string option whose value lands in `*target` when given (an empty value is a given value).
boost::program_options::typed_value<std::string>* opt(std::optional<std::string>* target);

// Parses `args`; words that are not options (and every word after "--") are appended to
// `*operands`, or are an error when `operands` is null. Notifiers run, so opt() targets are set.
Status parse_options(const std::vector<std::string>& args, const boost::program_options::options_description& d,
                     std::vector<std::string>* operands);

// The option table for --help.
void print_options(std::ostream& os, const boost::program_options::options_description& d);

}  // namespace compss::cli
