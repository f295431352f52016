#include "tools/cli/option_parser.h"

#include <algorithm>

namespace compss::cli {

namespace po = boost::program_options;

void add_common_options(po::options_description& d, CommonFlags& flags) {
  // clang-format off
  d.add_options()
      ("json", po::bool_switch(&flags.json), "print the answer as JSON")
      ("help,h", po::bool_switch(&flags.help), "print this help and exit");
  // clang-format on
}

po::typed_value<std::string>* opt(std::optional<std::string>* target) {
  return po::value<std::string>()->notifier([target](const std::string& v) { *target = v; });
}

Status parse_options(const std::vector<std::string>& args, const po::options_description& d,
                     std::vector<std::string>* operands) {
  auto dashdash = std::find(args.begin(), args.end(), std::string("--"));
  std::vector<std::string> options(args.begin(), dashdash);
  po::options_description all;
  all.add(d);
  std::vector<std::string> before;
  all.add_options()("compss-operand", po::value(&before)->composing());
  po::positional_options_description pos;
  pos.add("compss-operand", -1);
  // Boost throws; nothing leaves this function but a Status.
  try {
    po::variables_map vm;
    auto style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(options).options(all).positional(pos).style(style).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return fail(e.what());
  }
  std::vector<std::string> after(dashdash == args.end() ? args.end() : dashdash + 1, args.end());
  if (!operands) {
    if (!before.empty()) return fail("unexpected argument '", before.front(), "'");
    if (!after.empty()) return fail("unexpected argument '", after.front(), "'");
    return ok_status();
  }
  // Words both before and after "--" would make an ambiguous command line: "compss submit a -- b".
  if (!before.empty() && dashdash != args.end()) return fail("unexpected argument '", before.front(), "' before '--'");
  operands->insert(operands->end(), before.begin(), before.end());
  operands->insert(operands->end(), after.begin(), after.end());
  return ok_status();
}

void print_options(std::ostream& os, const po::options_description& d) {
  os << d;
}

}  // namespace compss::cli
