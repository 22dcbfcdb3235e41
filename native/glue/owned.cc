// The glue of owned (unnamed) segments: which environment (main thread or
// worker) tracked each name, so that a worker's names are unlinked when it
// ends (an env cleanup hook: runs on a natural end, process.exit() in the
// worker, an uncaught exception and worker.terminate()) while the process
// lives on. Module state is per thread but a process dies as a whole, so the
// state lives in C++ statics behind one mutex; the process's watchdog
// (platform/watchdog_client.h) removes what is left if the process dies.
#include "owned.h"

#include <string>
#include <mutex>
#include <unordered_set>

#include "errors.h"

#include "../platform/watchdog_client.h"

namespace sct {
namespace {

std::mutex mu;
// Each tracked name and the environment that tracked it.
OwnerMap owned;
// Environments with our cleanup hook registered (once each).
std::unordered_set<napi_env> hooked;
// The main thread's exit handler ran: the process is ending.
bool process_exiting = false;


// Unlinks (POSIX) and forgets every name `env` tracked. Caller holds mu.
void ReleaseEnv(napi_env env) {
  for (auto it = owned.begin(); it != owned.end();) {
    if (it->second != env) {
      ++it;
      continue;
    }
    UnlinkIfOurs(it->first);
    // While exiting, no '-' line: the registry is retired once nothing is
    // left, and a name unlinked here is the watchdog's to skip (gone, or
    // another creator's by then).
    const std::string name = it->first;
    it = owned.erase(it);
    if (!process_exiting) WatchdogUntrack(name, owned);
  }
  // The process is ending and nothing is left: the watchdog has no job.
  if (process_exiting && owned.empty()) WatchdogRetire();
}

void OnEnvCleanup(void* arg) {
  napi_env env = static_cast<napi_env>(arg);
  std::lock_guard<std::mutex> hold(mu);
  ReleaseEnv(env);
  hooked.erase(env);
}

std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsString())
    ThrowStatus(info.Env(), Status::Of(ErrorKind::kInvalidArgType), std::string(what) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

// ownedTrack(name, helperPath) -> the watchdog's pid; 0 when no helper can
// run (the caller falls back to another watchdog); -1 when none is needed.
Napi::Value OwnedTrack(const Napi::CallbackInfo& info) {
  const std::string name = StringArg(info, 0, "name");
  const std::string helper = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  napi_env env = info.Env();
  std::lock_guard<std::mutex> hold(mu);
  if (hooked.count(env) == 0) {
    if (napi_add_env_cleanup_hook(env, OnEnvCleanup, env) != napi_ok)
      ThrowStatus(info.Env(), Status::Lib(ErrorKind::kShmSystem, "cannot register a cleanup hook"), "ownedTrack");
    hooked.insert(env);
  }
  if (owned.emplace(name, env).second) return Napi::Number::New(env, static_cast<double>(WatchdogTrack(name, owned, helper)));
  return Napi::Number::New(env, static_cast<double>(WatchdogAlive()));
}

Napi::Value OwnedUntrack(const Napi::CallbackInfo& info) {
  const std::string name = StringArg(info, 0, "name");
  std::lock_guard<std::mutex> hold(mu);
  if (owned.erase(name) != 0) WatchdogUntrack(name, owned);
  return info.Env().Undefined();
}

// ownedHas(name) -> some thread of this process tracks it.
Napi::Value OwnedHas(const Napi::CallbackInfo& info) {
  const std::string name = StringArg(info, 0, "name");
  std::lock_guard<std::mutex> hold(mu);
  return Napi::Boolean::New(info.Env(), owned.count(name) != 0);
}

// The names the calling environment tracks.
Napi::Value OwnedNames(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  std::lock_guard<std::mutex> hold(mu);
  uint32_t i = 0;
  for (const auto& entry : owned)
    if (entry.second == env) out.Set(i++, Napi::String::New(env, entry.first));
  return out;
}

Napi::Value OwnedWatchdog(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> hold(mu);
  return Napi::Number::New(info.Env(), static_cast<double>(WatchdogPid()));
}

Napi::Value OwnedRegistry(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> hold(mu);
  return Napi::String::New(info.Env(), WatchdogRegistry());
}

// The main thread's exit handler: unlinks its names; once nothing is left,
// retires the registry (workers' names go in their cleanup hooks).
Napi::Value OwnedExit(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> hold(mu);
  process_exiting = true;
  ReleaseEnv(info.Env());
  return info.Env().Undefined();
}

}  // namespace

void ExportOwnedFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("ownedTrack", Napi::Function::New(env, OwnedTrack, "ownedTrack"));
  exports.Set("ownedUntrack", Napi::Function::New(env, OwnedUntrack, "ownedUntrack"));
  exports.Set("ownedHas", Napi::Function::New(env, OwnedHas, "ownedHas"));
  exports.Set("ownedNames", Napi::Function::New(env, OwnedNames, "ownedNames"));
  exports.Set("ownedWatchdog", Napi::Function::New(env, OwnedWatchdog, "ownedWatchdog"));
  exports.Set("ownedRegistry", Napi::Function::New(env, OwnedRegistry, "ownedRegistry"));
  exports.Set("ownedExit", Napi::Function::New(env, OwnedExit, "ownedExit"));
}

}  // namespace sct
