/*
 * A libnvidia-ml.so.1 whose nvmlInit_v2 crashes (SIGSEGV), as a driver library of the
 * wrong build or a damaged install can. Written for tfcert-envcheck's fault tests; it
 * exports only what probes/probe_nvidia.py loads first.
 */
#include <signal.h>

typedef int nvmlReturn_t;

const char *nvmlErrorString(nvmlReturn_t result) {
    (void)result;
    return "Unknown Error";
}

nvmlReturn_t nvmlInit_v2(void) {
    raise(SIGSEGV);
    return 999;
}

nvmlReturn_t nvmlShutdown(void) { return 0; }
