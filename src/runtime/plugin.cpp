// Plugins: shared libraries that register custom layer / model classes.
// A plugin exports morel_plugin_abi_version() and morel_plugin_register()
// (the MOREL_PLUGIN macro defines both).
#include <dlfcn.h>

#include <filesystem>
#include <mutex>
#include <set>

#include "morel/custom_layer.h"
#include "morel/error.h"

namespace morel {

void load_plugin(const std::string& path) {
  static std::mutex mutex;
  static std::set<std::string> loaded;
  std::lock_guard lock(mutex);

  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
  std::string key = ec ? path : canonical.string();
  if (loaded.count(key)) return;
  if (!std::filesystem::exists(path, ec))
    throw Error(ErrorCode::kPlugin, "plugin '" + path + "': no such file");

  // A path without '/' would make dlopen search the library path instead.
  std::string open_path = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = dlopen(open_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw Error(ErrorCode::kPlugin,
                "plugin '" + path + "' cannot be loaded: " + (why ? why : "unknown reason"));
  }
  using VersionFn = int (*)();
  using RegisterFn = void (*)();
  auto version = reinterpret_cast<VersionFn>(dlsym(handle, "morel_plugin_abi_version"));
  auto reg = reinterpret_cast<RegisterFn>(dlsym(handle, "morel_plugin_register"));
  if (!version || !reg) {
    dlclose(handle);
    throw Error(ErrorCode::kPlugin,
                "plugin '" + path +
                    "' is not a morel plugin (it does not define MOREL_PLUGIN "
                    "entry points morel_plugin_abi_version/morel_plugin_register)");
  }
  int abi = version();
  if (abi != kPluginAbiVersion) {
    dlclose(handle);
    throw Error(ErrorCode::kPlugin, "plugin '" + path + "' was built for morel plugin ABI " +
                                        std::to_string(abi) + "; this morel has ABI " +
                                        std::to_string(kPluginAbiVersion) +
                                        " (rebuild the plugin)");
  }
  try {
    reg();
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kPlugin, "plugin '" + path + "' failed to register: " + e.what());
  }
  loaded.insert(key);  // the handle stays open: its classes are in use from now on
}

}  // namespace morel
