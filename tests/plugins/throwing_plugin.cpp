// A plugin whose registration fails.
#include <stdexcept>

#include "morel/custom_layer.h"

MOREL_PLUGIN {
  throw std::runtime_error("no license for ThrowingLayer on this machine");
}
