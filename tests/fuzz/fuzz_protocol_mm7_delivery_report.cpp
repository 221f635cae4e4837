// Fuzz target: the MM7 DeliveryReportReq parser and what Impulse builds
// from MM7 values (protocol/mm7_delivery_report.hpp, mm7_submit.hpp).
// Input layout: the first line is the HTTP Content-Type, the rest the body.
// A parsed report has a MessageID and an MMStatus; the DeliveryReportRsp
// built for it is SOAP that parses back with its TransactionID element and
// status 1000; a SubmitReq built from the report's values (recipient,
// status text as Subject, the whole input as the content) is a
// multipart/related whose start part is the envelope and whose content part
// is the content, byte for byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/channel_part_mime.hpp"
#include "protocol/mm7_delivery_report.hpp"
#include "protocol/mm7_soap.hpp"
#include "protocol/mm7_submit.hpp"

namespace {

void check_submit_inverse(const impulse::protocol::Mm7DeliveryReport& report, std::string_view content) {
  using namespace impulse::protocol;
  Mm7SubmitFields f;
  f.transaction_id = report.transaction_id.substr(0, 64);
  f.namespace_uri = report.namespace_uri;
  f.recipient = mm7_recipient_address(report.recipient, "00");
  f.subject = report.status_text;
  f.content_id = "content-1";
  auto made = mm7_submit_request(f, {"application/octet-stream", std::string(content)});
  if (!made) std::abort();
  auto type = parse_content_type(made->content_type);
  if (!type || type->type != "multipart/related") std::abort();
  auto parts = split_multipart(made->body, type->param("boundary").value_or(""));
  if (!parts || parts->size() != 2) std::abort();
  auto envelope = split_entity((*parts)[0]);
  auto attached = split_entity((*parts)[1]);
  if (!envelope || !attached) std::abort();
  if (attached->body != content) std::abort();
  auto soap = mm7::parse_soap(envelope->body);
  if (!soap || !mm7::child(soap->body, "SubmitReq")) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace impulse::protocol;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  const std::string_view type = input.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  auto r = parse_mm7_delivery_report(body, type);
  if (!r) {
    if (r.error().empty()) std::abort();
    return 0;
  }
  if (r->message_id.empty() || r->mm_status.empty()) std::abort();
  const std::string rsp = mm7_delivery_report_response(*r);
  auto soap = mm7::parse_soap(rsp);
  if (!soap || !soap->header || !mm7::child(soap->header, "TransactionID")) std::abort();
  auto out = mm7::child(soap->body, "DeliveryReportRsp");
  if (!out || mm7::text_of(mm7::child(mm7::child(out, "Status"), "StatusCode")) != "1000") std::abort();
  check_submit_inverse(*r, input);
  return 0;
}
