// The shared part of a request survives its trip through the ledger's text unchanged.
#include "engine/request_template.hpp"

#include <gtest/gtest.h>

namespace pipehost::engine {
namespace {

TEST(RequestTemplate, EverySharedFieldSurvivesTheRoundTripAndRowPartsAreLeftOut) {
  Request request;
  request.key = "row-7";
  request.user_parts = {"Artist: A", "Song: B"};
  request.system_instruction = std::make_shared<const std::string>("You classify songs.\n\"quoted\"");
  request.generation.temperature = 0.25;
  request.generation.top_k = 40;
  request.generation.max_output_tokens = 1024;
  request.generation.thinking_budget = 0;
  request.generation.response_mime_type = "application/json";
  request.generation.response_schema_json = std::make_shared<const std::string>(R"({"type":"object"})");
  request.tools = {"web_search"};
  request.extra_json = R"({"labels":{"team":"music"}})";

  auto back = request_template_from_json(request_template_json(request));
  EXPECT_TRUE(back.key.empty());
  EXPECT_TRUE(back.user_parts.empty());
  ASSERT_TRUE(back.system_instruction);
  EXPECT_EQ(*back.system_instruction, *request.system_instruction);
  EXPECT_EQ(back.generation.temperature, 0.25);
  EXPECT_FALSE(back.generation.top_p);
  EXPECT_EQ(back.generation.top_k, 40);
  EXPECT_EQ(back.generation.max_output_tokens, 1024);
  EXPECT_FALSE(back.generation.seed);
  EXPECT_EQ(back.generation.thinking_budget, 0);
  EXPECT_EQ(back.generation.response_mime_type, "application/json");
  ASSERT_TRUE(back.generation.response_schema_json);
  EXPECT_EQ(*back.generation.response_schema_json, R"({"type":"object"})");
  EXPECT_EQ(back.tools, request.tools);
  EXPECT_EQ(back.extra_json, request.extra_json);
}

TEST(RequestTemplate, NoInstructionAndNoSchemaStayAbsent) {
  auto back = request_template_from_json(request_template_json(Request{}));
  EXPECT_FALSE(back.system_instruction);
  EXPECT_FALSE(back.generation.response_schema_json);
  EXPECT_TRUE(back.tools.empty());
}

}  // namespace
}  // namespace pipehost::engine
