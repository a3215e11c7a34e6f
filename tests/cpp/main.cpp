// doctest's own main(): command-line filters such as --source-file select an area.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
