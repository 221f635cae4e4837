// Implementation of delivery/smtp/mta_sts_store.hpp.
#include "delivery/smtp/mta_sts_store.hpp"

#include <cctype>
#include <fstream>
#include <sstream>
#include <system_error>

namespace impulse::delivery::smtp {
namespace {

std::string_view take_line(std::string_view& text) {
  const auto nl = text.find('\n');
  std::string_view line = text.substr(0, nl);
  text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  return line;
}

}  // namespace

std::string format_cached_mta_sts(const CachedMtaSts& cached) {
  return "id: " + cached.id + "\nfetched: " + std::to_string(cached.fetched_unix) + "\n\n" +
         protocol::format_mta_sts_policy(cached.policy);
}

impulse::expected<CachedMtaSts, std::string> parse_cached_mta_sts(std::string_view text) {
  CachedMtaSts out;
  const std::string_view id = take_line(text);
  const std::string_view fetched = take_line(text);
  if (!id.starts_with("id: ") || !fetched.starts_with("fetched: ") || !take_line(text).empty())
    return impulse::unexpected<std::string>("not an MTA-STS cache file");
  out.id = std::string(id.substr(4));
  const std::string_view digits = fetched.substr(9);
  if (digits.empty() || digits.size() > 18) return impulse::unexpected<std::string>("bad fetch time");
  for (char c : digits) {
    if (c < '0' || c > '9') return impulse::unexpected<std::string>("bad fetch time");
    out.fetched_unix = out.fetched_unix * 10 + (c - '0');
  }
  auto policy = protocol::parse_mta_sts_policy(text);
  if (!policy) return impulse::unexpected<std::string>(policy.error());
  out.policy = std::move(*policy);
  return out;
}

bool cached_mta_sts_fresh(const CachedMtaSts& cached, std::int64_t now_unix) {
  return now_unix < cached.fetched_unix + static_cast<std::int64_t>(cached.policy.max_age);
}

std::optional<std::filesystem::path> MtaStsStore::file_of(std::string_view domain) const {
  if (domain.empty() || domain.size() > 253 || domain.front() == '.') return std::nullopt;
  std::string name;
  for (char c : domain) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '.' && c != '-' && c != '_') return std::nullopt;
    name += static_cast<char>(std::tolower(u));
  }
  return dir_ / name;
}

std::optional<CachedMtaSts> MtaStsStore::load(std::string_view domain) const {
  auto file = file_of(domain);
  if (!file) return std::nullopt;
  std::ifstream in(*file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream body;
  body << in.rdbuf();
  auto cached = parse_cached_mta_sts(body.str());
  if (!cached) return std::nullopt;
  return std::move(*cached);
}

Result<void> MtaStsStore::save(std::string_view domain, const CachedMtaSts& cached) const {
  auto file = file_of(domain);
  if (!file) return fail("mta_sts_policy_store: unusable domain name \"" + std::string(domain) + "\"");
  std::filesystem::path tmp = *file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << format_cached_mta_sts(cached);
    out.flush();
    if (!out) return fail("mta_sts_policy_store: cannot write " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, *file, ec);
  if (ec) return fail("mta_sts_policy_store: cannot rename to " + file->string() + ": " + ec.message(), ec.value());
  return {};
}

}  // namespace impulse::delivery::smtp
