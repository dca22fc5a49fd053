/* Umbrella header of the AgentOS firmware bridge C library. */
#ifndef BRIDGE_H
#define BRIDGE_H
#include "bridge_codec.h"
#include "bridge_device.h"
#include "bridge_proto.h"
#include "bridge_tlv.h"
#endif
