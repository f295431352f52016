// doc/man/compss.1 against the compss binary itself, so that neither can drift from the other. The truth
// is what the binary prints: the subcommands of `compss --help` (the table in tools/cli/commands.cc) and
// the option table of each `compss SUB --help`. Checked both ways:
//   - every subcommand has a SYNOPSIS line and a section `.SS "compss SUB ..."`, and the page has no other;
//   - every option in SUB's --help table is documented in SUB's section (its heading or a .TP tag), or is
//     one the page says every command accepts, and every command does accept those;
//   - every option the page gives SUB (its SYNOPSIS line, its section's heading and .TP tags, and any
//     `compss SUB --opt` in a .B line or an example) is one the binary accepts for SUB;
//   - every OUTPUT entry names a subcommand, and every subcommand with --json has its output described.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/util/parse.h"
#include "tools/cli/commands.h"

namespace {

using Names = std::set<std::string>;

struct Run {
  int status = -1;
  std::string out;
};

// The compss binary with `args` (words without shell characters), stdout captured.
Run run_compss(const std::string& args) {
  const char* bin = std::getenv("COMPSS_CLI") ? std::getenv("COMPSS_CLI") : COMPSS_CLI_BINARY;
  Run r;
  FILE* p = ::popen((std::string(bin) + " " + args + " 2>/dev/null").c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// The page with groff's \- turned into -, as lines.
std::vector<std::string> man_page() {
  std::ifstream f(COMPSS_MAN_PAGE);
  std::stringstream s;
  s << f.rdbuf();
  std::string page = std::regex_replace(s.str(), std::regex(R"(\\-)"), "-");
  return lines_of(page);
}

// Every --name in `text`.
Names options_in(const std::string& text) {
  Names out;
  static const std::regex option("--([a-z][a-z-]*)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), option); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1]);
  return out;
}

// The subcommands `compss --help` lists under "Commands:".
Names listed_commands(const std::string& help) {
  Names out;
  bool in = false;
  static const std::regex row("^  ([a-z]+) +\\S.*");
  for (const auto& l : lines_of(help)) {
    if (l == "Commands:") {
      in = true;
    } else if (in) {
      std::smatch m;
      if (!std::regex_match(l, m, row)) break;
      out.insert(m[1]);
    }
  }
  return out;
}

// What `compss SUB --help` says SUB accepts: its option table (lines "  --name ..." or "  -h [ --help ]"),
// and --help itself, which just worked.
struct Help {
  Names table;
  Names usage;  // the options on its usage line
};

Help help_of(const std::string& sub) {
  Run r = run_compss(sub + " --help");
  INFO("compss " << sub << " --help:\n" << r.out);
  CHECK(r.status == 0);
  CHECK(r.out.rfind("usage: compss " + sub, 0) == 0);
  Help h;
  static const std::regex row("^  (?:-[a-z] \\[ )?--([a-z][a-z-]*)\\b.*");
  for (const auto& l : lines_of(r.out)) {
    std::smatch m;
    if (std::regex_match(l, m, row)) h.table.insert(m[1]);
  }
  h.table.insert("help");
  h.usage = options_in(lines_of(r.out).at(0));
  return h;
}

// The page's parts, by section.
struct Page {
  std::map<std::string, Names> synopsis;  // "" is `compss` itself
  std::map<std::string, Names> section;   // from .SS "compss SUB ..." headings and .TP tags
  std::map<std::string, std::string> section_text;
  std::map<std::string, std::vector<Names>> references;  // "compss SUB --opt ..." in .B lines and examples
  Names every_command;                                   // "Every command accepts ..."
  Names output;                                          // .TP tags of OUTPUT
  Names sections;                                        // .SH names
};

Page parse(const std::vector<std::string>& lines) {
  Page p;
  static const std::regex sh(R"re(^\.SH "?([A-Z ]+)"?$)re"), ss(R"re(^\.SS "compss ([a-z]+)(.*)"$)re"),
      tag(R"re(^\.(?:B|BI|BR) +--([a-z][a-z-]*).*)re"), entry(R"re(^\.B compss(?: ([a-z]+))?$)re"),
      word_tag(R"re(^\.B ([a-z]+)$)re"), reference(R"re(compss ([a-z]+)((?: +[^ |;&]+)*))re");
  std::string sh_name, ss_name;
  std::optional<std::string> synopsis_of;  // the SYNOPSIS entry being read
  bool in_nf = false, in_every = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    std::smatch m;
    if (std::regex_match(l, m, sh)) {
      sh_name = m[1];
      p.sections.insert(sh_name);
      ss_name.clear();
      synopsis_of.reset();
      continue;
    }
    if (sh_name == "SYNOPSIS") {
      if (std::regex_match(l, m, entry)) synopsis_of = m[1];
      if (l == ".br" || l == ".PP") synopsis_of.reset();
      if (synopsis_of) p.synopsis[*synopsis_of].merge(options_in(l));
    }
    if (sh_name == "DESCRIPTION") {
      if (l.find("Every command accepts") != std::string::npos) in_every = true;
      if (l == ".PP") in_every = false;
      if (in_every) p.every_command.merge(options_in(l));
    }
    if (sh_name == "COMMANDS") {
      if (std::regex_match(l, m, ss)) {
        ss_name = m[1];
        p.section[ss_name].merge(options_in(m[2]));
      } else if (!ss_name.empty()) {
        p.section_text[ss_name] += l + "\n";
        if (i > 0 && lines[i - 1] == ".TP" && std::regex_match(l, m, tag)) p.section[ss_name].insert(m[1]);
      }
    }
    if (sh_name == "OUTPUT" && i > 0 && lines[i - 1] == ".TP" && std::regex_match(l, m, word_tag))
      p.output.insert(m[1]);
    if (l == ".nf") in_nf = true;
    if (l == ".fi") in_nf = false;
    // A command line in bold or in an example: the options up to "--" (the task's own command follows).
    if (in_nf || l.rfind(".B ", 0) == 0 || l.rfind(".BR ", 0) == 0 || l.rfind(".BI ", 0) == 0) {
      for (auto it = std::sregex_iterator(l.begin(), l.end(), reference); it != std::sregex_iterator(); ++it) {
        std::string rest = (*it)[2];
        if (auto end = rest.find(" -- "); end != std::string::npos) rest.resize(end);
        if (rest.size() >= 3 && rest.compare(rest.size() - 3, 3, " --") == 0) rest.resize(rest.size() - 3);
        p.references[(*it)[1]].push_back(options_in(rest));
      }
    }
  }
  return p;
}

}  // namespace

TEST_CASE("compss --help lists the subcommands of the command table", "[cli][man]") {
  Run top = run_compss("--help");
  REQUIRE(top.status == 0);
  Names table;
  for (const auto& c : compss::cli::commands()) table.insert(std::string(c.name));
  CHECK(listed_commands(top.out) == table);
  CHECK(table.size() >= 7);
}

TEST_CASE("compss(1) documents exactly the subcommands and options of the compss binary", "[cli][man]") {
  const auto lines = man_page();
  REQUIRE(lines.size() > 100);
  const Page page = parse(lines);
  Run top = run_compss("--help");
  REQUIRE(top.status == 0);
  const Names commands = listed_commands(top.out);
  REQUIRE_FALSE(commands.empty());

  // compss itself: [--help] [--version].
  REQUIRE(page.synopsis.count(""));
  CHECK(page.synopsis.at("") == options_in(lines_of(top.out).at(0)));

  Names in_synopsis, in_sections;
  for (const auto& [name, _] : page.synopsis)
    if (!name.empty()) in_synopsis.insert(name);
  for (const auto& [name, _] : page.section) in_sections.insert(name);
  CHECK(in_synopsis == commands);
  CHECK(in_sections == commands);
  for (const auto& [name, _] : page.references) {
    INFO("the page names 'compss " << name << "' in a command line");
    CHECK(commands.count(name));
  }
  for (const auto& name : page.output) {
    INFO("OUTPUT has an entry for '" << name << "'");
    CHECK(commands.count(name));
  }

  REQUIRE(page.every_command.count("help"));
  for (const auto& sub : commands) {
    const Help help = help_of(sub);
    INFO("compss " << sub << " accepts: " << compss::join(help.table, ", "));
    for (const auto& o : help.usage) {
      INFO("its usage line shows --" << o);
      CHECK(help.table.count(o));
    }
    for (const auto& o : page.every_command) {
      INFO("the page says every command accepts --" << o);
      CHECK(help.table.count(o));
    }
    const Names& documented = page.section.count(sub) ? page.section.at(sub) : Names{};
    for (const auto& o : help.table) {
      INFO("--" << o << " of compss " << sub << " is in its section of the man page");
      CHECK((documented.count(o) || page.every_command.count(o)));
    }
    auto claimed = documented;
    if (page.synopsis.count(sub)) claimed.insert(page.synopsis.at(sub).begin(), page.synopsis.at(sub).end());
    if (page.references.count(sub))
      for (const auto& r : page.references.at(sub)) claimed.insert(r.begin(), r.end());
    for (const auto& o : claimed) {
      INFO("the man page gives compss " << sub << " the option --" << o);
      CHECK(help.table.count(o));
    }
    if (help.table.count("json")) {
      INFO("the --json output of compss " << sub << " is described (OUTPUT, or its section)");
      const std::string text = page.section_text.count(sub) ? page.section_text.at(sub) : "";
      CHECK((page.output.count(sub) || text.find("--json") != std::string::npos));
    }
  }

  for (const char* section :
       {"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OUTPUT", "EXIT STATUS", "ENVIRONMENT", "EXAMPLES"})
    CHECK(page.sections.count(section));
  const std::string all = [&] {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  }();
  for (const char* text : {"COMPSS_SOCKET", "COMPSS_ADDRESS", ".B 0\n", ".B 1\n", ".B 2\n", ".B 3\n", ".B 4\n"})
    CHECK(all.find(text) != std::string::npos);
}

TEST_CASE("the man-page check sees an option or a subcommand the binary does not have", "[cli][man]") {
  // The checks above are only as good as the parsing: a page with an invented subcommand, an invented
  // option and a missing section must be seen as such.
  const Page p = parse(lines_of(R"(.SH SYNOPSIS
.B compss
.RB [ --help ]
.br
.B compss wait
.RB [ --forever ]
.br
.B compss graph
.SH DESCRIPTION
Every command accepts
.B --help
.PP
.SH COMMANDS
.SS "compss wait [--timeout t]"
.TP
.BI --colour " c"
Text.
.SS "compss graph"
.SH EXAMPLES
.nf
compss wait --all --frob x -- ./run --not-an-option
.fi
)"));
  CHECK(p.synopsis.at("wait") == Names{"forever"});
  CHECK(p.synopsis.count("graph"));
  CHECK(p.section.at("wait") == Names{"timeout", "colour"});
  CHECK(p.section.count("graph"));
  CHECK(p.every_command == Names{"help"});
  REQUIRE(p.references.count("wait"));
  CHECK(p.references.at("wait").back() == Names{"all", "frob"});
}
