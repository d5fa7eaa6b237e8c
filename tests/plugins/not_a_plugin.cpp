// An ordinary shared library: it loads, but has no morel entry points.
extern "C" __attribute__((visibility("default"))) int not_a_plugin_answer() {
  return 42;
}
