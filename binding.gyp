{
  "targets": [
    {
      "target_name": "halo_os",
      "sources": ["native/halo_os.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
