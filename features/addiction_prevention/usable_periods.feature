@CSW-ADD-2
Feature: Usable time periods
  The guardian sets when the watch may be used; outside those periods the
  same blocking applies as when the daily time is used up.

  Scenario: Outside the usable period apps do not open
    Given a watch bound to its guardian
    And the guardian allows use only from "16:00" to "18:00"
    When the time is "10:00"
    And the child tries to open an everyday app
    Then the watch refuses

  Scenario: Inside the usable period apps open
    Given a watch bound to its guardian
    And the guardian allows use only from "16:00" to "18:00"
    When the time is "16:30"
    And the child tries to open an everyday app
    Then the watch allows it

  Scenario: Changing the watch clock does not reopen a closed period
    Given a watch bound to its guardian
    And the guardian allows use only from "16:00" to "18:00"
    When the time is "10:00"
    And the child sets the watch clock back to the afternoon
    And the child tries to open an everyday app
    Then the watch refuses
