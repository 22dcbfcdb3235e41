// JS class Segment: one mapped shared-memory segment in this environment.
#pragma once

#include <napi.h>

#include <string>

#include "mapping_ref.h"

namespace sct {

class Segment : public Napi::ObjectWrap<Segment> {
 public:
  static Napi::Function Define(Napi::Env env);
  // Unwraps `value` if, and only if, it is a Segment made by this addon.
  static Segment* FromValue(Napi::Env env, Napi::Value value);

  explicit Segment(const Napi::CallbackInfo& info);
  ~Segment() override;

  MappingRef* mapping() const { return mapping_; }

 private:
  static Napi::Value Create(const Napi::CallbackInfo& info);
  static Napi::Value Open(const Napi::CallbackInfo& info);
  static Napi::Value Unlink(const Napi::CallbackInfo& info);

  Napi::Value Buffer(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value GetSize(const Napi::CallbackInfo& info);
  Napi::Value GetClosed(const Napi::CallbackInfo& info);
  Napi::Value GetName(const Napi::CallbackInfo& info);

  static Napi::Value Wrap(Napi::Env env, const std::string& name, const Mapping& m);
  void CloseNow();

  MappingRef* mapping_ = nullptr;
  std::string name_;
  Napi::Reference<Napi::ArrayBuffer> buffer_;  // weak: only to detach on close
  bool cleanup_registered_ = false;
};

}  // namespace sct
