#!/bin/sh
# The exe_wrapper of a test setup that does not match this build directory
# (tests/meson.build): says which build it needs and fails every test.
echo "this test setup needs $1" >&2
exit 1
