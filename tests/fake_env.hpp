// fake_env.hpp — a getenv over a map, for the parsers that read the environment.
#pragma once
#include <functional>
#include <map>
#include <string>

namespace test {

struct FakeEnv {
  std::map<std::string, std::string> vars;
  std::function<const char*(const char*)> get() const {
    return [this](const char* name) -> const char* {
      const auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

}  // namespace test
