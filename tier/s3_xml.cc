#include "tier/s3_xml.h"

#include <expat.h>

#include <functional>

#include "store/units.h"

namespace topicfs::tier {
namespace {

// Calls `on_text(path, text)` for the text of every element, where `path`
// is the names from the root, "/"-joined ("ListBucketResult/Contents/Key").
class XmlWalker {
 public:
  using OnText = std::function<void(std::string_view path, std::string_view text)>;
  store::Status Walk(std::string_view xml, OnText on_text) {
    on_text_ = std::move(on_text);
    XML_Parser parser = XML_ParserCreate("UTF-8");
    if (parser == nullptr) return store::Status::IOError("out of memory for XML");
    XML_SetUserData(parser, this);
    XML_SetElementHandler(parser, &XmlWalker::Start, &XmlWalker::End);
    XML_SetCharacterDataHandler(parser, &XmlWalker::Text);
    const bool ok = XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), 1) != XML_STATUS_ERROR;
    std::string error = ok ? "" : XML_ErrorString(XML_GetErrorCode(parser));
    XML_ParserFree(parser);
    if (!ok) return store::Status::Corruption("bad XML from the tier: " + error);
    return store::Status::OK();
  }

 private:
  static void Start(void* self, const XML_Char* name, const XML_Char** /*attrs*/) {
    auto* w = static_cast<XmlWalker*>(self);
    w->lengths_.push_back(w->path_.size());
    if (!w->path_.empty()) w->path_.push_back('/');
    // Namespaced names may come as "uri name" with a separator; plain expat
    // gives the local name as written.
    w->path_.append(name);
    w->text_.clear();
  }
  static void End(void* self, const XML_Char* /*name*/) {
    auto* w = static_cast<XmlWalker*>(self);
    w->on_text_(w->path_, w->text_);
    w->text_.clear();
    w->path_.resize(w->lengths_.back());
    w->lengths_.pop_back();
  }
  static void Text(void* self, const XML_Char* s, int len) {
    static_cast<XmlWalker*>(self)->text_.append(s, static_cast<size_t>(len));
  }

  OnText on_text_;
  std::string path_;
  std::vector<size_t> lengths_;
  std::string text_;
};

bool EndsWithElement(std::string_view path, std::string_view name) {
  return path == name || (path.ends_with(name) && path[path.size() - name.size() - 1] == '/');
}

}  // namespace

store::Result<S3ListPage> ParseListObjects(std::string_view xml) {
  S3ListPage page;
  store::RemoteObject current;
  XmlWalker walker;
  store::Status s = walker.Walk(xml, [&](std::string_view path, std::string_view text) {
    if (EndsWithElement(path, "Contents/Key")) {
      current.key = std::string(text);
    } else if (EndsWithElement(path, "Contents/Size")) {
      current.size = store::ParseDecimal(text).value_or(0);
    } else if (EndsWithElement(path, "Contents")) {
      page.objects.push_back(std::move(current));
      current = {};
    } else if (path == "ListBucketResult/IsTruncated") {
      page.truncated = text == "true";
    } else if (path == "ListBucketResult/NextContinuationToken") {
      page.next_token = std::string(text);
    }
  });
  if (!s.ok()) return s;
  return page;
}

store::Result<std::string> FindXmlText(std::string_view xml, std::string_view name) {
  std::string found;
  bool seen = false;
  XmlWalker walker;
  store::Status s = walker.Walk(xml, [&](std::string_view path, std::string_view text) {
    if (!seen && EndsWithElement(path, name)) {
      found = std::string(text);
      seen = true;
    }
  });
  if (!s.ok()) return s;
  return found;
}

}  // namespace topicfs::tier
