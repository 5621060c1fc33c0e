@CSW-APP-4
Feature: A new app is usable only once the guardian approves it
  An app the child installs from the store waits for the guardian's approval
  in the guardian's app; only the guardian can give it. Uninstalling and
  installing an app again is no way around that. (Whether an app the guardian
  approved before needs approving again after a reinstall is the maker's
  choice.) A store that does not offer the app the scenario names leaves
  nothing to judge.

  Scenario: A new app opens only after the guardian approves it
    Given a watch bound to its guardian
    When the child installs the tool app "pocket.dictionary" from the store
    And the child tries to open "pocket.dictionary"
    Then the watch refuses
    When the guardian approves "pocket.dictionary"
    And the child tries to open "pocket.dictionary"
    Then the watch allows it

  Scenario: The child cannot approve a new app on the guardian's behalf
    Given a watch bound to its guardian
    When the child installs the tool app "pocket.dictionary" from the store
    And the child tries to approve "pocket.dictionary" itself
    Then the watch refuses
    When the child tries to open "pocket.dictionary"
    Then the watch refuses

  Scenario: Reinstalling an app waiting for approval does not make it usable
    Given a watch bound to its guardian
    When the child installs the tool app "pocket.dictionary" from the store
    And the child uninstalls "pocket.dictionary" and installs it again from the store
    And the child tries to open "pocket.dictionary"
    Then the watch refuses
