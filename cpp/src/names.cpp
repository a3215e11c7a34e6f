// String names of the enumerations, shared by the bindings and the model file.
#include "akili/types.hpp"

#include <array>
#include <stdexcept>
#include <utility>

namespace akili {
namespace {

template <typename Enum, std::size_t N>
using NameTable = std::array<std::pair<Enum, const char*>, N>;

// In the order messages and the Python tuples list them (the book's sigmoid first).
constexpr NameTable<Activation, 5> kActivationNames{{{Activation::sigmoid, "sigmoid"},
                                                     {Activation::tanh, "tanh"},
                                                     {Activation::relu, "relu"},
                                                     {Activation::softmax, "softmax"},
                                                     {Activation::identity, "identity"}}};
constexpr NameTable<Loss, 3> kLossNames{
    {{Loss::squared_error, "squared_error"}, {Loss::mse, "mse"}, {Loss::cross_entropy, "cross_entropy"}}};
constexpr NameTable<Rule, 3> kRuleNames{
    {{Rule::transpose, "transpose"}, {Rule::gradient, "gradient"}, {Rule::normalized, "normalized"}}};
constexpr NameTable<Init, 3> kInitNames{{{Init::book, "book"}, {Init::xavier, "xavier"}, {Init::he, "he"}}};

template <typename Enum, std::size_t N>
std::string name_of(const NameTable<Enum, N>& table, Enum value) {
  for (const auto& [entry, name] : table) {
    if (entry == value) return name;
  }
  return "unknown(" + std::to_string(static_cast<int>(value)) + ")";
}

template <typename Enum, std::size_t N>
Enum parse(const NameTable<Enum, N>& table, const std::string& name, const char* where, const char* what) {
  std::string choices;
  for (const auto& [entry, entry_name] : table) {
    if (name == entry_name) return entry;
    choices += choices.empty() ? "" : ", ";
    choices += entry_name;
  }
  throw std::invalid_argument(std::string("[") + where + "] unknown " + what + " \"" + name + "\"; expected one of " +
                              choices);
}

template <typename Enum, std::size_t N>
std::vector<std::string> names_of(const NameTable<Enum, N>& table) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.emplace_back(entry.second);
  return names;
}

}  // namespace

std::vector<std::string> activation_names() { return names_of(kActivationNames); }
std::vector<std::string> loss_names() { return names_of(kLossNames); }
std::vector<std::string> rule_names() { return names_of(kRuleNames); }
std::vector<std::string> init_names() { return names_of(kInitNames); }

std::string to_string(Activation activation) { return name_of(kActivationNames, activation); }
std::string to_string(Loss loss) { return name_of(kLossNames, loss); }
std::string to_string(Rule rule) { return name_of(kRuleNames, rule); }
std::string to_string(Init init) { return name_of(kInitNames, init); }

Activation parse_activation(const std::string& name) {
  return parse(kActivationNames, name, "parse_activation", "activation");
}
Loss parse_loss(const std::string& name) { return parse(kLossNames, name, "parse_loss", "loss"); }
Rule parse_rule(const std::string& name) { return parse(kRuleNames, name, "parse_rule", "rule"); }
Init parse_init(const std::string& name) { return parse(kInitNames, name, "parse_init", "init"); }

}  // namespace akili
