@CSW-APP-3
Feature: Malicious programs are stopped and side-loading is blocked
  Apps reach the watch only through its controlled channel. A package pushed
  from outside it (a file copied from a computer, a link sent by a seller) is
  refused, and a package identified as malicious is refused wherever it comes
  from. A refused package leaves nothing behind.

  Scenario: Side-loading an app is refused, whatever the channel
    Given a watch bound to its guardian
    When the child tries to side-load the tool app "flashlight.plus" through each channel outside the store
    Then the watch refuses every one of them
    And "flashlight.plus" is not installed on the watch

  @needs_app_store
  Scenario: A package flagged as malicious is refused
    Given a watch bound to its guardian
    When the child tries to install "cleaner.boost" from the store, a package flagged as malicious
    Then the watch refuses
    And "cleaner.boost" is not installed on the watch
