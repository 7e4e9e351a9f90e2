// line_splitter.cpp — the splitter is a header template (it sits on the output hot path).
#include "ctxrun/line_splitter.hpp"
