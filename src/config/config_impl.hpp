// ConfigImpl: the Config of config.hpp over a validated scope tree
// (validator.hpp). It indexes the tree once (bindings, groups, domain and
// host stanzas per container, listeners, modules) and then answers lookups
// with the fallback chains of SPEC §2 and reference/momentum.md §1.4.
//
// Matching: within one container the exact (case-insensitive) domain or
// host stanza wins; otherwise the first /regex/ stanza in file order whose
// ECMAScript pattern is found anywhere in the name (unanchored = search).
// Only that one stanza of the container is consulted; if it does not set
// the option the walk goes on to the next container.
//
// Immutable after construction; every method is const and safe from any
// thread. Lookups never fail: unknown option names passed by code are bugs
// and abort; eval() reports bad user input as error text.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/ast.hpp"
#include "config/config.hpp"
#include "config/validator.hpp"

namespace impulse::config {

// Validates `root` and freezes it. `files`: the files it was read from.
impulse::expected<ConfigPtr, Diagnostics> build_config(const Scope& root, std::vector<std::string> files);

class ConfigImpl final : public Config {
 public:
  ConfigImpl(std::unique_ptr<ScopeNode> root, std::vector<std::string> files, Diagnostics warnings = {});

  Resolved resolve(const OutboundKey& key, std::string_view option) const override;
  Resolved resolve_host(std::string_view binding, std::string_view host, std::string_view option) const override;
  const OptionValue& global(std::string_view option) const override;
  impulse::expected<Resolved, std::string> eval(const std::vector<std::string>& path,
                                                std::string_view option) const override;
  const std::vector<BindingInfo>& bindings() const override { return binding_list_; }
  std::vector<std::string> binding_group_members(std::string_view group) const override;
  std::vector<ListenConfig> listens(std::string_view listener_keyword) const override;
  Resolved resolve_listener(std::string_view listener_keyword, std::string_view listen_address,
                            std::string_view option, std::string_view peer_ip = {}) const override;
  const OptionValue* module_option(std::string_view module, std::string_view option) const override;
  const std::vector<std::string>& files() const override { return files_; }
  const Diagnostics& warnings() const override { return warnings_; }

  const ScopeNode& root() const { return *root_; }

 private:
  // Domain or host stanzas of one container.
  struct MatchTable {
    std::unordered_map<std::string, const ScopeNode*> exact;  // by domain_key()
    std::vector<const ScopeNode*> regexes;                    // file order
    const ScopeNode* match(const std::string& key) const;
  };
  // global, one binding_group or one binding.
  struct Container {
    const ScopeNode* node = nullptr;
    MatchTable domains;
    MatchTable hosts;
  };
  struct BindingEntry {
    Container self;
    const Container* group = nullptr;  // enclosing binding_group
  };

  Container index_container(const ScopeNode& node) const;
  const BindingEntry* find_binding(std::string_view name) const;
  const Container* find_group(std::string_view name) const;
  const ScopeNode* find_listener(std::string_view keyword) const;

  // The outbound walk with explicit levels (resolve() and eval() share it).
  Resolved walk_outbound(const OptionDef& def, const BindingEntry* binding, const Container* group,
                         const std::string& domain) const;
  Resolved walk_host(const OptionDef& def, const BindingEntry* binding, const Container* group,
                     const std::string& host) const;

  std::unique_ptr<ScopeNode> root_;
  std::vector<std::string> files_;
  Diagnostics warnings_;
  Container global_;
  std::unordered_map<std::string, Container> groups_;
  std::unordered_map<std::string, BindingEntry> bindings_;
  std::vector<BindingInfo> binding_list_;
  std::unordered_map<std::string, std::vector<std::string>> group_members_;
};

// A module option, or its registry default when the module stanza does not
// set it (e.g. ec_logger's mainlog path).
const OptionValue& module_option_or_default(const Config& config, std::string_view module, std::string_view option);

}  // namespace impulse::config
