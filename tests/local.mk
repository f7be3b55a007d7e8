# tests: shared harness pieces.  Each component's tests are listed in its own
# fragment (hypervisor/local.mk, xenstore/local.mk, ...) under tests/<level>/.
