@CSW-SAF-4
Feature: Only the guardian's contacts can call the watch
  The watch rings only for numbers on the contact list the guardian keeps.
  Other numbers (strangers, sellers, nuisance callers) do not get through, and
  the child cannot add a number to the list from the watch.

  Scenario: The guardian's number rings and an unknown number does not
    Given a watch bound to its guardian
    When a call comes in from the guardian's number
    Then the watch rings
    When a call comes in from "13912345678"
    Then the watch does not ring

  Scenario: A number the guardian adds rings from then on
    Given a watch bound to its guardian
    When a call comes in from "13912345678"
    Then the watch does not ring
    When the guardian adds "13912345678" to the contacts
    And a call comes in from "13912345678"
    Then the watch rings

  Scenario: The child cannot add a number to the contacts
    Given a watch bound to its guardian
    When the child tries to add "13912345678" to the contacts
    Then the watch refuses
    When a call comes in from "13912345678"
    Then the watch does not ring
