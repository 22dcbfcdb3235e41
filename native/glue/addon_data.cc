// Per-environment state: which environment is the primary one.
#include "addon_data.h"

namespace sct {

std::atomic<napi_env> primary_env{nullptr};
std::atomic<AddonData*> primary_data{nullptr};

AddonData::AddonData(napi_env e) : env(e) {
  AddonData* none = nullptr;
  if (primary_data.compare_exchange_strong(none, this)) primary_env.store(e, std::memory_order_release);
}

AddonData::~AddonData() {
  if (primary_data.load() == this) {
    primary_env.store(nullptr);
    primary_data.store(nullptr);  // now another environment may claim it
  }
}

}  // namespace sct
