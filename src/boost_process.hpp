// boost_process.hpp — the single include point for Boost.Process v2 (Boost 1.81).
#pragma once
// 1.81 with BOOST_PROCESS_USE_STD_FS uses boost::optional and unqualified type traits
// without including them (boostorg/process#280, fixed in 1.82).
#include <boost/optional.hpp>
#include <boost/type_traits.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/process/v2/posix/default_launcher.hpp>
#include <boost/process/v2/posix/vfork_launcher.hpp>
#include <boost/process/v2/process.hpp>

namespace ctxrun {
namespace asio = boost::asio;
namespace bp = boost::process::v2;
using Process = bp::basic_process<asio::io_context::executor_type>;
}  // namespace ctxrun
