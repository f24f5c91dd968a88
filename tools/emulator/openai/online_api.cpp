#include "emulator/openai/online_api.hpp"

#include "emulator/openai/answer_body.hpp"
#include "emulator/openai/ids.hpp"
#include "emulator/openai/openai_error.hpp"

namespace pipehost::emulator::openai {

namespace json = boost::json;

Response OnlineApi::answer(ModelEndpoint endpoint, Request& request) {
  std::string text = request.body->read_all(64u << 20);
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) {
    throw OpenAiError(
        400,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
        "your HTTP library correctly. The OpenAI API expects a JSON payload.)");
  }
  const json::object& body = parsed.get_object();
  if (auto bad = check_request_body(endpoint, body)) throw *bad;
  AnswerForm form;
  form.fenced = context_.faults.draw_fenced();
  form.prose = context_.faults.draw_prose();
  Answer answer = make_answer(prompt_of(endpoint, body), "", form, cache_);
  stats_.add("online_answers");
  return Response::json(200,
                        json::serialize(answer_body(endpoint, answer, body, unix_seconds(WallClock::now()))));
}

}  // namespace pipehost::emulator::openai
