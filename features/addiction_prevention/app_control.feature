@CSW-ADD-7
Feature: The guardian can make any app unavailable
  Any app but the basic functions: every one is tried.

  Scenario: No app the guardian disabled opens
    Given a watch bound to its guardian
    And the guardian makes every gated app unavailable
    When the child tries to open every gated app
    Then the watch refuses every one of them

  Scenario: The child cannot enable it again
    Given a watch bound to its guardian
    And the guardian makes "camera" unavailable
    When the child tries to enable "camera" again
    Then the watch refuses
    When the child tries to open "camera"
    Then the watch refuses

  @needs_app_store
  Scenario: Reinstalling a disabled app does not bring it back
    Given a watch bound to its guardian
    And the guardian makes "camera" unavailable
    When the child uninstalls and reinstalls "camera"
    And the child tries to open "camera"
    Then the watch refuses

  @needs_app_store
  Scenario: An app the guardian makes available again stays available after a reinstall
    Given a watch bound to its guardian
    And the guardian makes "camera" unavailable
    When the guardian makes "camera" available again
    And the child tries to open "camera"
    Then the watch allows it
    When the child uninstalls and reinstalls "camera"
    And the child tries to open "camera"
    Then the watch allows it
