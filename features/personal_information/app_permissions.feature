@CSW-PRI-3
Feature: Microphone, camera and location only with the guardian's permission
  No app holds the microphone, the camera or location by default. The
  guardian's consent to the children's rules covers only what the basic
  functions need (the microphone for calls, location for locating the child).
  Any other app asks, the request goes to the guardian, and the child cannot
  allow it on the watch.

  Scenario: Out of the box no app holds a sensitive permission
    Given a watch bound to its guardian
    Then no app holds the microphone, camera or location beyond what the guardian's consent covers

  Scenario Outline: "<app>" gets the <permission> permission only when the guardian allows it
    Given a watch bound to its guardian
    When "<app>" asks the child for the <permission> permission
    Then the request waits for the guardian
    And "<app>" still has no <permission> permission
    When the child tries to allow "<app>" the <permission> permission
    Then the watch refuses
    And "<app>" still has no <permission> permission
    When the guardian allows "<app>" the <permission> permission
    Then "<app>" has the <permission> permission

    Examples:
      | app    | permission |
      | camera | camera     |
      | maths  | microphone |
      | maths  | location   |

  Scenario: No app gets a sensitive permission from the child
    Given a watch bound to its guardian
    When every app but the basic functions asks the child for each sensitive permission, and the child tries to allow it
    Then no app holds a sensitive permission without the guardian

  @needs_app_store
  Scenario: An app the child installs starts with no sensitive permission
    Given a watch bound to its guardian
    And the child installs "pocket.dictionary" from the store and the guardian approves it
    Then "pocket.dictionary" holds no microphone, camera or location permission
    When "pocket.dictionary" asks the child for the location permission
    Then the request waits for the guardian
    And "pocket.dictionary" still has no location permission
