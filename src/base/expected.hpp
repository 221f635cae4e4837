// impulse::expected / impulse::unexpected: std::expected where the standard
// library has it (g++ 12, the shipping compiler), and a minimal stand-in with
// the same surface where it does not (clang 14's libstdc++ mode, used only for
// the libFuzzer preset). Code uses impulse::expected everywhere so the pure
// parsers compile under both. Owns no state; never throws except value() on
// an error, as the standard type does.
#pragma once

#include <utility>
#include <version>

#if defined(__cpp_lib_expected)
#include <expected>
namespace impulse {
template <class T, class E>
using expected = std::expected<T, E>;
using std::unexpected;
}  // namespace impulse
#else
#include <stdexcept>
#include <type_traits>
#include <variant>

namespace impulse {

template <class E>
class unexpected {
 public:
  explicit unexpected(E e) : e_(std::move(e)) {}
  E& error() & { return e_; }
  const E& error() const& { return e_; }
  E&& error() && { return std::move(e_); }

 private:
  E e_;
};
template <class E>
unexpected(E) -> unexpected<E>;

template <class T, class E>
class expected {
 public:
  using value_type = T;
  using error_type = E;
  expected() : v_(std::in_place_index<0>) {}
  template <class U = T, class = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                                  !std::is_same_v<std::decay_t<U>, expected>>>
  expected(U&& v) : v_(std::in_place_index<0>, std::forward<U>(v)) {}
  template <class G>
  expected(unexpected<G> u) : v_(std::in_place_index<1>, std::move(u.error())) {}

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { check(); return std::get<0>(v_); }
  const T& value() const& { check(); return std::get<0>(v_); }
  T&& value() && { check(); return std::get<0>(std::move(v_)); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }
  T&& operator*() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  E& error() & { return std::get<1>(v_); }
  const E& error() const& { return std::get<1>(v_); }
  E&& error() && { return std::get<1>(std::move(v_)); }
  template <class U>
  T value_or(U&& d) const& { return has_value() ? **this : static_cast<T>(std::forward<U>(d)); }

 private:
  void check() const {
    if (!has_value()) throw std::logic_error("bad expected access");
  }
  std::variant<T, E> v_;
};

template <class E>
class expected<void, E> {
 public:
  using value_type = void;
  using error_type = E;
  expected() = default;
  template <class G>
  expected(unexpected<G> u) : e_(std::move(u.error())), ok_(false) {}
  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const {
    if (!ok_) throw std::logic_error("bad expected access");
  }
  void operator*() const {}
  E& error() & { return e_; }
  const E& error() const& { return e_; }

 private:
  E e_{};
  bool ok_ = true;
};

}  // namespace impulse
#endif
