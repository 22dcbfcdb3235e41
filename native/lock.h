// JS class NativeLock: this thread's handle on a lock region inside a segment.
#pragma once

#include <napi.h>

#include <memory>

#include "mapping_ref.h"
#include "mutex.h"

namespace sct {

class NativeLock : public Napi::ObjectWrap<NativeLock> {
 public:
  static Napi::Function Define(Napi::Env env);

  explicit NativeLock(const Napi::CallbackInfo& info);
  ~NativeLock() override;

 private:
  Napi::Value Init(const Napi::CallbackInfo& info);
  Napi::Value Lock(const Napi::CallbackInfo& info);
  Napi::Value Unlock(const Napi::CallbackInfo& info);
  Napi::Value Locked(const Napi::CallbackInfo& info);
  Napi::Value Depth(const Napi::CallbackInfo& info);

  void EnsureOpen(Napi::Env env);

  MappingRef* mapping_ = nullptr;  // retained: the memory outlives this handle
  std::unique_ptr<Mutex> mutex_;
  double offset_ = 0;
};

}  // namespace sct
