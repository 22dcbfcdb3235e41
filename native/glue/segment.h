// JS class Segment: one mapped shared-memory segment in this environment,
// and the maker of lock handles for the lock regions inside it.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "../core/mapping_ref.h"
#include "addon_data.h"

namespace sct {

class Segment : public Napi::ObjectWrap<Segment> {
 public:
  // `data`: this environment's AddonData, for the raw lockHandle() method.
  static Napi::Function Define(Napi::Env env, AddonData* data);
  // Unwraps `value` if, and only if, it is a Segment made by this addon.
  static Segment* FromValue(Napi::Env env, Napi::Value value);

  explicit Segment(const Napi::CallbackInfo& info);
  ~Segment() override;

  MappingRef* mapping() const { return mapping_; }

 private:
  static Napi::Value Create(const Napi::CallbackInfo& info);
  static Napi::Value Open(const Napi::CallbackInfo& info);
  static Napi::Value Unlink(const Napi::CallbackInfo& info);
  static Napi::Value Identity(const Napi::CallbackInfo& info);

  static Napi::Value DetachBuffer(const Napi::CallbackInfo& info);
  // In plain Node-API rather than an ObjectWrap method: every lock made calls it.
  static napi_value LockHandle(napi_env env, napi_callback_info info);

  Napi::Value Buffer(const Napi::CallbackInfo& info);
  Napi::Value View(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value GetSize(const Napi::CallbackInfo& info);
  Napi::Value GetClosed(const Napi::CallbackInfo& info);
  Napi::Value GetName(const Napi::CallbackInfo& info);
  Napi::Value GetIdentity(const Napi::CallbackInfo& info);
  Napi::Value GetOtherOwner(const Napi::CallbackInfo& info);

  static Napi::Value Wrap(Napi::Env env, const std::string& name, const Mapping& m);
  void CloseNow();

  MappingRef* mapping_ = nullptr;
  std::string name_;
  bool other_owner_ = false;  // opened with allowOtherOwners and owned by another user
  Napi::ArrayBuffer NewExternal(Napi::Env env, size_t offset, size_t length);

  Napi::Reference<Napi::ArrayBuffer> buffer_;  // weak: only to detach on close
  std::vector<Napi::Reference<Napi::ArrayBuffer>> views_;  // weak, likewise
  size_t sweep_at_ = 64;
  bool cleanup_registered_ = false;
};

}  // namespace sct
