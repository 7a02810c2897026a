// The flat parameter layout, mirroring lib/engine/layout.ts: for each layer in order, W (inputs*units,
// row-major (inputs, units)) then b (units) when the layer has a bias. Gradients and optimizer
// state use the same offsets. All sizes are checked (std::length_error on overflow).
#pragma once

#include <cstddef>
#include <vector>

#include "activations.hpp"
#include "sizes.hpp"

namespace fastmlp {

struct LayerPlan {
  std::size_t inputs = 0;
  std::size_t units = 0;
  Activation activation = Activation::linear;
  bool use_bias = true;
  double dropout = 0.0;  // training only, hidden layers only, in [0, 1) (contract kDropout); 0: none
};

struct LayerOffsets {
  std::size_t w = 0;  // offset of W, (inputs, units)
  std::size_t b = 0;  // offset of b (units); meaningful only when has_bias
  bool has_bias = false;
  std::size_t inputs = 0;
  std::size_t units = 0;
};

struct ParamLayout {
  std::vector<LayerOffsets> layers;
  std::size_t size = 0;  // total number of parameters
};

inline ParamLayout param_layout(const std::vector<LayerPlan>& layers) {
  ParamLayout out;
  out.layers.reserve(layers.size());
  std::size_t offset = 0;
  for (const LayerPlan& layer : layers) {
    LayerOffsets o;
    o.w = offset;
    o.inputs = layer.inputs;
    o.units = layer.units;
    offset = checked_add(offset, checked_elements(layer.inputs, layer.units, "W"), "parameters");
    if (layer.use_bias) {
      o.has_bias = true;
      o.b = offset;
      offset = checked_add(offset, layer.units, "parameters");
    }
    out.layers.push_back(o);
  }
  if (offset > kMaxElements) throw std::length_error("size of parameters exceeds 2^31 elements");
  out.size = offset;
  return out;
}

}  // namespace fastmlp
