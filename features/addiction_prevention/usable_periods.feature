@CSW-ADD-2
Feature: Usable time periods
  The guardian sets when the watch may be used; outside those periods the
  same blocking applies as when the daily time is used up. Periods are set
  around the watch's own time, so the check needs no clock travel.

  Scenario: Apps open only inside the usable period
    Given a watch bound to its guardian
    And the guardian allows use only in a period that excludes now
    When the child tries to open an everyday app
    Then the watch refuses
    Given the guardian allows use only in a period that includes now
    When the child tries to open an everyday app
    Then the watch allows it

  Scenario: Setting the watch clock into the period does not open it
    Given a watch bound to its guardian
    And the guardian allows use only in a period that excludes now
    When the child sets the watch clock into the usable period
    And the child tries to open an everyday app
    Then the watch refuses

  Scenario: The basic functions stay outside the usable period
    Given a watch bound to its guardian
    And the guardian allows use only in a period that excludes now
    When the child tries to make an emergency call
    Then the watch allows it
