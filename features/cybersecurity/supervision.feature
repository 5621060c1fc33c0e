@CSW-SEC-3
Feature: Supervision cannot be switched off from the watch
  Nothing on the watch turns the guardian's supervision off: not a settings
  switch, not removing or stopping the guardian service or any other app, not a debug
  connection, as "monitoring bypass" sellers offer. Production builds keep
  every debug interface closed.

  Background:
    Given a watch bound to its guardian
    And the guardian sets a short daily limit

  Scenario: The child cannot switch supervision off
    When the child tries to switch the guardian's supervision off
    Then the watch refuses
    And the watch is still bound to its guardian
    And the guardian's daily limit is unchanged

  Scenario Outline: The child cannot <action> the guardian service
    When the child tries to <action> the guardian service
    Then the watch refuses
    And the watch is still bound to its guardian
    And the guardian's daily limit is unchanged

    Examples:
      | action     |
      | uninstall  |
      | force-stop |

  Scenario Outline: Supervision outlasts the child trying to <action> every ordinary app
    When the child tries to <action> every ordinary app
    Then the watch is still bound to its guardian
    And the guardian's daily limit is unchanged

    Examples:
      | action     |
      | force-stop |
      | uninstall  |

  Scenario: Debug interfaces are closed and stay closed
    Then the watch has no debug interface open
    When the child tries to turn on debugging
    Then the watch refuses
    And the watch has no debug interface open
