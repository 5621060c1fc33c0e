@CSW-ADD-1
Feature: The guardian's daily limit
  The guardian sets how long the watch may be used each day. When the time is
  used up the watch keeps only its basic functions (calls with the guardian,
  the emergency call, location) and the apps the guardian exempted.

  Background:
    Given a watch bound to its guardian
    And the guardian sets a short daily limit

  Scenario: Apps close when the daily time is used up
    When the child uses "maths" past the daily limit
    And the child tries to open an everyday app
    Then the watch refuses

  Scenario: Basic functions stay when the daily time is used up
    When the child uses "maths" past the daily limit
    And the child tries to make an emergency call
    Then the watch allows it
    When the child tries to call the guardian
    Then the watch allows it

  Scenario: An app the guardian exempted stays usable
    Given the guardian sets a short daily limit exempting "maths"
    When the child uses "camera" past the daily limit
    And the child tries to open "maths"
    Then the watch allows it
    When the child tries to open "camera"
    Then the watch refuses

  Scenario: The child cannot lift the limit from the watch
    When the child tries to change the daily limit
    Then the watch refuses
    And the guardian's daily limit is unchanged
