// libmorel_swish.so: the Swish layers as a plugin, for programs that do not
// link them in (`morel predict --plugin build/lib/libmorel_swish.so ...`, or
// ModelOptions::plugins).
#include "morel/custom_layer.h"
#include "swish.h"

MOREL_PLUGIN {
  morel::register_custom_layer("Swish", morel::custom_layer_factory<swish::Swish>());
  morel::register_custom_layer("LearnableSwish",
                               morel::custom_layer_factory<swish::LearnableSwish>());
}
