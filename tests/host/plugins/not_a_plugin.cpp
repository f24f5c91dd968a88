// A shared library that is not a pipehost plugin.
extern "C" __attribute__((visibility("default"))) int some_function() { return 42; }
