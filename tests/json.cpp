// json.cpp — Boost.JSON's implementation, once, for the tests that read reports.
#include <boost/json/src.hpp>
