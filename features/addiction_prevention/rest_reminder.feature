@CSW-ADD-5
Feature: Rest reminder after continuous use
  The reminder comes at the profile's continuous-use time, not before, and
  again after each further continuous-use time. Switching apps or a pause of
  seconds is no break; a full break (docs/protocol.md 7.4) starts continuous
  use again. The guardian allows the whole day, so that
  no default daily limit closes the app first.

  Background:
    Given a watch bound to its guardian
    And the guardian allows the whole day

  Scenario: No reminder a minute before the continuous-use time, one at it
    When the child uses "maths" until a minute before the profile's rest-reminder time
    Then the watch has not reminded the child to rest
    When the child keeps using it for one more minute
    Then the watch has reminded the child to rest

  Scenario: Switching apps does not restart continuous use
    When the child uses "maths" for half the profile's rest-reminder time
    And the child uses "camera" until a minute before the profile's rest-reminder time
    Then the watch has not reminded the child to rest
    When the child keeps using it for one more minute
    Then the watch has reminded the child to rest

  Scenario: Closing the app for a few seconds does not restart continuous use
    When the child uses "maths" for half the profile's rest-reminder time
    And the child pauses for less than a minute
    And the child uses "maths" until a minute before the profile's rest-reminder time
    Then the watch has not reminded the child to rest
    When the child keeps using it for one more minute
    Then the watch has reminded the child to rest

  Scenario: A full break starts continuous use again
    When the child uses "maths" for half the profile's rest-reminder time
    And the child takes a full break
    And the child uses "maths" until a minute before the profile's rest-reminder time
    Then the watch has not reminded the child to rest
    When the child keeps using it for one more minute
    Then the watch has reminded the child to rest

  Scenario: A child who keeps going is reminded again after another continuous-use time
    When the child uses "maths" until a minute before the profile's rest-reminder time
    And the child keeps using it for one more minute
    Then the watch has reminded the child to rest
    When the child uses "maths" until a minute before the profile's rest-reminder time since the reminder
    Then the watch has not reminded the child to rest again
    When the child keeps using it for one more minute
    Then the watch has reminded the child to rest again
