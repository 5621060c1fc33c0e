@CSW-SAF-1
Feature: The emergency call always works
  No control of the watch stops the emergency call: not the used-up daily
  time, not the night hours, not the guardian switching social features off,
  not charging. The call goes through: taking it and answering that it did
  not connect is no emergency call.

  Scenario: The emergency call works when the daily time is used up
    Given a watch bound to its guardian
    And the guardian sets a short daily limit
    When the child uses "maths" past the daily limit
    And the child tries to make an emergency call
    Then the emergency call goes through

  Scenario: The emergency call works at night
    Given a watch bound to its guardian
    When the profile's night hours begin
    And the child tries to make an emergency call
    Then the emergency call goes through

  @needs_social_feed
  Scenario: The emergency call works when the guardian switched social features off
    Given a watch bound to its guardian
    And the guardian switches social features off
    When the child tries to make an emergency call
    Then the emergency call goes through

  @CSW-SAF-2
  Scenario: The emergency call works while charging
    Given a watch bound to its guardian
    When the watch starts charging
    And the child tries to make an emergency call
    Then the emergency call goes through

  Scenario: The emergency number can be dialled from the phone too, after the daily time is used up
    Given a watch bound to its guardian
    And the guardian sets a short daily limit
    When the child uses "maths" past the daily limit
    And the child dials the emergency number from the phone app
    Then the watch allows it
