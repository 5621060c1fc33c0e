@CSW-ADD-6
Feature: Used time cannot be reset by tricks
  Used time counts across all apps together. Changing the clock or the time
  zone, rebooting, or reinstalling an app does not give the child more time.

  Background:
    Given a watch bound to its guardian
    And the guardian sets a short daily limit

  Scenario: Time used in one app counts for the others
    When the child uses "maths" for over half the daily limit
    And the child uses "camera" past the rest of the daily limit
    And the child tries to open "camera"
    Then the watch refuses
    And the guardian sees the whole daily limit used

  Scenario: Setting the watch clock to tomorrow does not reset the day
    When the child uses "maths" past the daily limit
    And the child sets the watch clock forward to tomorrow morning
    And the child tries to open an everyday app
    Then the watch refuses

  Scenario: A time zone where it is still yesterday does not give a new day
    When the child uses "maths" past the daily limit
    And the child changes the time zone to "-10:00"
    And the child tries to open an everyday app
    Then the watch refuses

  Scenario: A reboot does not reset the day
    When the child uses "maths" past the daily limit
    And the watch reboots
    And the child tries to open an everyday app
    Then the watch refuses

  @needs_app_store
  Scenario: Reinstalling the app does not reset the day
    When the child uses "camera" past the daily limit
    And the child uninstalls and reinstalls "camera"
    And the child tries to open "camera"
    Then the watch refuses
