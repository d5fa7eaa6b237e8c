// Features for people: aligned tables on stdout. Small arrays are printed in
// full, larger ones as min / max / mean; a classifier's answer is shown as
// its top-k labels with probabilities.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "morel/features.h"
#include "morel/spec.h"

namespace morel::cli {

// Rows of text cells, printed with every column padded to its widest cell
// (the last column is not padded), columns two spaces apart.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& out) const;
  bool has_rows() const { return rows_.size() > 1; }

 private:
  std::vector<std::vector<std::string>> rows_;
};

struct TableOptions {
  int top_k = 5;
  size_t max_listed_values = 8;              // arrays up to this size are listed in full
  std::map<std::string, std::string> files;  // feature name -> the .npy file it was saved to
};

// "float32 1x3", "string", "dictionary (4 entries)".
std::string feature_type_text(const FeatureValue& value);
// "[0.5, 1, 2]", or "min -1 max 2 mean 0.25 (3072 values)"; the value of a
// scalar feature; a dictionary's top entries.
std::string feature_value_text(const FeatureValue& value, const TableOptions& options);

// One prediction: a classifier's top-k table first (rank, label,
// probability), then every other output (name, type, value [, file]).
void print_prediction(std::ostream& out, const spec::ModelDescription& description,
                      const FeatureMap& outputs, const TableOptions& options);

}  // namespace morel::cli
