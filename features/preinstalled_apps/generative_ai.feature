@CSW-APP-5
Feature: No preinstalled generative-AI app, and its installation can be blocked
  The watch comes with no generative-AI question-and-answer app, hidden or
  not. A generative-AI app the child installs does not become usable unless
  the guardian lets it.

  Scenario: No generative-AI app is preinstalled
    Given a watch bound to its guardian
    Then no package on the watch, hidden from the launcher or not, is a generative-AI app

  @needs_app_store
  Scenario: A generative-AI app the child installs stays unusable without the guardian
    Given a watch bound to its guardian
    When the child tries to install the generative-AI app "ai.chat.buddy" from the store
    And the child tries to open "ai.chat.buddy"
    Then the watch refuses
