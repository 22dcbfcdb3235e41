{
  "targets": [
    {
      "target_name": "sharedctypes",
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "defines": ["NAPI_VERSION=8"],
      "sources": [
        "native/glue/addon_data.cc",
        "native/glue/binding.cc",
        "native/glue/errors.cc",
        "native/glue/segment.cc",
        "native/glue/lock_functions.cc",
        "native/core/lock_table.cc",
        "native/glue/typed_array_fill.cc",
        "native/platform/shm_common.cc",
        "native/platform/mutex_common.cc",
        "native/glue/owned.cc",
        "native/platform/held_mappings.cc"
      ],
      "conditions": [
        ["OS=='win'", {
          "sources": ["native/platform/shm_win.cc", "native/platform/mutex_win.cc", "native/platform/watchdog_win.cc", "native/platform/status_win.cc"],
          "defines": ["UNICODE", "_UNICODE", "WIN32_LEAN_AND_MEAN", "NOMINMAX"],
          "msvs_settings": {
            "VCCLCompilerTool": {
              "AdditionalOptions": ["/std:c++17", "/sdl", "/guard:cf", "/W4", "/WX"]
            },
            "VCLinkerTool": { "AdditionalOptions": ["/guard:cf"] }
          }
        }, {
          "sources": ["native/platform/shm_posix.cc", "native/platform/mutex_posix.cc", "native/platform/watchdog_posix.cc", "native/platform/status_posix.cc"],
          "cflags_cc": [
            "-std=c++17", "-Wall", "-Wextra", "-Werror",
            "-fvisibility=hidden", "-fstack-protector-strong"
          ]
        }],
        ["OS=='linux'", {
          "libraries": ["-lpthread", "-lrt"]
        }],
        ["OS=='mac'", {
          "xcode_settings": {
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "MACOSX_DEPLOYMENT_TARGET": "11.0",
            "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
            "OTHER_CPLUSPLUSFLAGS": ["-Wall", "-Wextra", "-Werror", "-fstack-protector-strong"]
          }
        }]
      ],
      "configurations": {
        "Release": { "defines": ["NDEBUG"] }
      }
    }
  ],
  "conditions": [
    ["OS!='win'", {
      "targets": [
        {
          "target_name": "sharedctypes-watchdog",
          "type": "executable",
          "sources": ["native/watchdog/watchdog.c"],
          "cflags_c": ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-fstack-protector-strong"],
          "conditions": [
            ["OS=='linux'", { "libraries": ["-lrt"] }],
            ["OS=='mac'", {
              "xcode_settings": {
                "MACOSX_DEPLOYMENT_TARGET": "11.0",
                "OTHER_CFLAGS": ["-std=c11", "-Wall", "-Wextra", "-Werror"]
              }
            }]
          ]
        }
      ]
    }]
  ]
}
