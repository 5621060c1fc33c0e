@CSW-SAF-2
Feature: While charging only the emergency call can be used
  A charging watch cannot be operated except to make the emergency call (that
  it still works is checked with the emergency call): no app opens, hidden
  ones and the other basic functions included, the child cannot call the
  guardian, and an ordinary call coming in does not ring, since it could not
  be answered. An app the child had open when the watch went on charge does
  not keep running, and the watch is usable again once charging ends.

  Scenario: Apps and ordinary calls are refused until charging ends
    Given a watch bound to its guardian
    When the watch starts charging
    And the child tries to open every app but the emergency call
    Then the watch refuses every one of them
    When the child tries to call the guardian
    Then the watch refuses
    When a call comes in from the guardian's number
    Then the watch does not ring
    When charging ends
    And the child tries to open an everyday app
    Then the watch allows it
    When a call comes in from the guardian's number
    Then the watch rings

  Scenario: An app left open does not keep running on charge
    Given a watch bound to its guardian
    When the child tries to open "maths"
    And the watch starts charging
    And 10 minutes pass
    Then the watch counted no use while charging

  Scenario: The emergency call's own app opens while charging
    Given a watch bound to its guardian
    When the watch starts charging
    And the child tries to open "sos"
    Then the watch allows it
