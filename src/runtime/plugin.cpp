// Plugins: shared libraries that register custom layer / model classes.
// A plugin exports morel_plugin_abi_version() and morel_plugin_register()
// (the MOREL_PLUGIN macro defines both); the version is checked before any
// of the plugin's registration code runs.
#include <dlfcn.h>

#include <filesystem>
#include <map>
#include <mutex>

#include "morel/custom_layer.h"
#include "morel/error.h"
#include "runtime/custom_registry.h"

namespace morel {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw Error(ErrorCode::kPlugin, "plugin '" + path + "' " + message);
}

}  // namespace

PluginInfo load_plugin(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, PluginInfo> loaded;  // by canonical path
  std::lock_guard lock(mutex);

  std::error_code ec;
  if (path.empty()) throw Error(ErrorCode::kPlugin, "plugin path is empty");
  if (!std::filesystem::exists(path, ec)) fail(path, "does not exist");
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not a shared library");
  std::filesystem::path canonical = std::filesystem::canonical(path, ec);
  const std::string key = ec ? path : canonical.string();
  if (auto it = loaded.find(key); it != loaded.end()) return it->second;

  // A path without '/' would make dlopen search the library path instead.
  const std::string open_path = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = dlopen(open_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    fail(path, std::string("cannot be loaded: ") + (why ? why : "unknown reason"));
  }
  using VersionFn = int (*)();
  using RegisterFn = void (*)();
  auto version = reinterpret_cast<VersionFn>(dlsym(handle, "morel_plugin_abi_version"));
  auto reg = reinterpret_cast<RegisterFn>(dlsym(handle, "morel_plugin_register"));
  if (!version || !reg) {
    dlclose(handle);
    fail(path, std::string("is not a morel plugin: it does not export ") +
                   (!version ? "morel_plugin_abi_version" : "morel_plugin_register") +
                   " (define the entry points with MOREL_PLUGIN)");
  }
  const int abi = version();
  if (abi != kPluginAbiVersion) {
    dlclose(handle);
    fail(path, "was built for morel plugin ABI " + std::to_string(abi) +
                   ", but this morel has ABI " + std::to_string(kPluginAbiVersion) +
                   " (rebuild the plugin against this morel)");
  }

  PluginInfo info;
  info.path = path;
  {
    runtime::RegistrationRecorder recorder;
    // The handle stays open even when registration fails: classes it did
    // register before failing point into its code.
    try {
      reg();
    } catch (const std::exception& e) {
      fail(path, std::string("failed to register its classes: ") + e.what());
    } catch (...) {
      fail(path, "failed to register its classes (a non-standard exception)");
    }
    info.layers = std::move(recorder.layers);
    info.models = std::move(recorder.models);
  }
  loaded.emplace(key, info);
  return info;
}

}  // namespace morel
