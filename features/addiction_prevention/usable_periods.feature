@CSW-ADD-2
Feature: Usable time periods
  The guardian sets when the watch may be used; outside those periods the
  same blocking applies as when the daily time is used up, to every app but
  the basic functions and the apps the guardian exempted. A period runs from
  its start minute up to, not including, its end minute.

  Scenario: No app opens outside the usable period; every app opens inside it
    Given a watch bound to its guardian
    And the guardian allows use only in a period that excludes now
    When the child tries to open every gated app
    Then the watch refuses every one of them
    Given the guardian allows use only in a period that includes now
    When the child tries to open every gated app
    Then the watch allows every one of them

  Scenario: A period opens at its start minute and closes at its end minute
    Given a watch bound to its guardian
    And the guardian allows use only in a period that starts in an hour
    When the minute before the start of the usable period comes
    And the child tries to open every gated app
    Then the watch refuses every one of them
    When the start minute of the usable period comes
    And the child tries to open every gated app
    Then the watch allows every one of them
    When the last minute of the usable period comes
    And the child tries to open every gated app
    Then the watch allows every one of them
    When the end minute of the usable period comes
    And the child tries to open every gated app
    Then the watch refuses every one of them

  Scenario: An app the guardian exempted stays usable outside the periods
    Given a watch bound to its guardian
    And the guardian sets a short daily limit exempting "maths"
    And the guardian allows use only in a period that excludes now
    When the child tries to open "maths"
    Then the watch allows it
    When the child tries to open every gated app
    Then the watch refuses every one of them

  Scenario: Setting the watch clock into the period does not open it
    Given a watch bound to its guardian
    And the guardian allows use only in a period that excludes now
    When the child sets the watch clock into the usable period
    And the child tries to open an everyday app
    Then the watch refuses

  Scenario: The child cannot lift the periods, and a reboot does not either
    Given a watch bound to its guardian
    And the guardian allows use only in a period that excludes now
    When the child tries to clear the usable periods
    Then the watch refuses
    When the watch reboots
    And the child tries to open every gated app
    Then the watch refuses every one of them

  Scenario: The basic functions stay outside the usable period
    Given a watch bound to its guardian
    And the guardian allows use only in a period that excludes now
    When the child tries to make an emergency call
    Then the watch allows it
