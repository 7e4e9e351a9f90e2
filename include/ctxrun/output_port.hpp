// output_port.hpp — where formatted output goes: ctxrun's two streams, and how job output is shown.
#pragma once
#include <string_view>

namespace ctxrun {

enum class Stream { Out = 1, Err = 2 };

/// Where formatted bytes go (the loop's writer). Each call carries whole lines only.
class OutputPort {
 public:
  virtual ~OutputPort() = default;
  virtual void write(Stream stream, std::string_view bytes) = 0;
};

/// --output, once resolved: each line prefixed with its job's name, the lines alone, or each
/// job's lines together when it ends (inherit needs no port: the jobs write directly).
enum class SinkMode { Prefix, Raw, Group };

}  // namespace ctxrun
