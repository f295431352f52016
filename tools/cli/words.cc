// Shell-like word splitting (words.h).
#include "tools/cli/words.h"

namespace compss::cli {

Result<std::vector<std::string>> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  std::size_t i = 0;
  const std::size_t n = line.size();
  auto column = [](std::size_t at) { return std::to_string(at + 1); };
  while (i < n) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      if (in_word) words.push_back(std::move(word)), word.clear(), in_word = false;
      ++i;
    } else if (c == '#' && !in_word) {
      break;
    } else if (c == '\'') {
      const std::size_t end = line.find('\'', i + 1);
      if (end == std::string_view::npos) return fail("column ", column(i), ": a ' quote is not closed");
      word.append(line.substr(i + 1, end - i - 1));
      in_word = true;
      i = end + 1;
    } else if (c == '"') {
      const std::size_t open = i++;
      for (;;) {
        if (i >= n) return fail("column ", column(open), ": a \" quote is not closed");
        const char d = line[i];
        if (d == '"') break;
        if (d == '\\' && i + 1 < n && (line[i + 1] == '"' || line[i + 1] == '\\' || line[i + 1] == '$' || line[i + 1] == '`')) {
          word.push_back(line[i + 1]);
          i += 2;
        } else {
          word.push_back(d);
          ++i;
        }
      }
      in_word = true;
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= n) return fail("column ", column(i), ": a backslash ends the line");
      word.push_back(line[i + 1]);
      in_word = true;
      i += 2;
    } else {
      word.push_back(c);
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace compss::cli
